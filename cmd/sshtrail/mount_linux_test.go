package main

import (
	"fmt"
	"syscall"
)

func mountTmpfs(dir string, mb int) error {
	return syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%dm,mode=0700", mb))
}

func remountTmpfs(dir string, mb int) error {
	return syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, fmt.Sprintf("size=%dm,mode=0700", mb))
}

func unmount(dir string) { syscall.Unmount(dir, syscall.MNT_DETACH) }
