// The `opa` command line, built from the pinned module as a test oracle (never shipped).
package main

import (
	"errors"
	"os"

	"github.com/open-policy-agent/opa/cmd"
)

func main() {
	err := cmd.RootCommand.Execute()
	if err == nil {
		return
	}
	var exitErr *cmd.ExitError
	if errors.As(err, &exitErr) {
		os.Exit(exitErr.Exit)
	}
	os.Exit(1)
}
