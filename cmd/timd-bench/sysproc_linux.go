package main

import "syscall"

// benchSysProcAttr makes the kernel kill a timd bench started if bench dies
// without stopping it (SIGKILL, a crash).
func benchSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
