//go:build race

package triage

// raceEnabled trims the slowest simulations under the race detector,
// which slows ingestion tenfold.
const raceEnabled = true
