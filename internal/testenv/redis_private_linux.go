package testenv

import (
	"os/exec"
	"runtime"
	"syscall"
)

// startTiedToProcess starts cmd so that the kernel kills it when this process ends, however it
// ends. The parent-death signal is tied to the starting thread, so that thread is kept for life.
func startTiedToProcess(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread lives as long as the process
		errc <- cmd.Start()
		select {}
	}()
	return <-errc
}
