//go:build !linux

package testenv

import (
	"errors"
	"os/exec"
)

func startTiedToProcess(*exec.Cmd) error {
	return errors.New("set TEST_REDIS_URL to a Redis the tests may flush (a private one is only started on Linux)")
}
