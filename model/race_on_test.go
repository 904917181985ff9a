//go:build race

package model

// raceEnabled: the race detector multiplies memory and time, so the flood
// is smaller and its resident memory is not held to the cap.
const raceEnabled = true
