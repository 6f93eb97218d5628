package tui

import "github.com/charmbracelet/lipgloss"

// Every style of the workbench lives here.
var (
	colAccent = lipgloss.AdaptiveColor{Light: "#005f87", Dark: "#5fafd7"}
	colDim    = lipgloss.AdaptiveColor{Light: "#767676", Dark: "#808080"}
	colBad    = lipgloss.AdaptiveColor{Light: "#af0000", Dark: "#ff5f5f"}
	colWarn   = lipgloss.AdaptiveColor{Light: "#af5f00", Dark: "#ffaf5f"}
	colGood   = lipgloss.AdaptiveColor{Light: "#005f00", Dark: "#87d787"}

	styleTab       = lipgloss.NewStyle().Padding(0, 1).Foreground(colDim)
	styleTabActive = lipgloss.NewStyle().Padding(0, 1).Bold(true).Foreground(colAccent).Underline(true)
	styleHeader    = lipgloss.NewStyle().Bold(true).Foreground(colAccent)
	styleSelected  = lipgloss.NewStyle().Reverse(true)
	styleDim       = lipgloss.NewStyle().Foreground(colDim)
	styleStatus    = lipgloss.NewStyle().Foreground(colDim)
	styleError     = lipgloss.NewStyle().Foreground(colBad).Bold(true)
	styleBar       = lipgloss.NewStyle().Foreground(colAccent)
	styleBarSel    = lipgloss.NewStyle().Foreground(colWarn)
	styleTitle     = lipgloss.NewStyle().Bold(true)
	styleCrumb     = lipgloss.NewStyle().Foreground(colWarn)
	styleFailure   = lipgloss.NewStyle().Foreground(colBad)
	styleSuccess   = lipgloss.NewStyle().Foreground(colGood)
	styleBanner    = lipgloss.NewStyle().Bold(true).Foreground(colWarn)

	severityStyle = map[string]lipgloss.Style{
		"critical": lipgloss.NewStyle().Foreground(colBad).Bold(true),
		"high":     lipgloss.NewStyle().Foreground(colBad),
		"medium":   lipgloss.NewStyle().Foreground(colWarn),
		"low":      lipgloss.NewStyle().Foreground(colAccent),
		"info":     lipgloss.NewStyle().Foreground(colDim),
	}
)
