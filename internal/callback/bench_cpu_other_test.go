//go:build !unix

package callback_test

import "time"

// processCPU is not measured here: the benchmarks report no CPU figures.
func processCPU() time.Duration { return 0 }
