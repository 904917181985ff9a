package file

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestQuoteOrBackslashScans checks the word-at-a-time scans against byte
// loops, with the bytes sought (and bytes one off them, which borrows in
// the word arithmetic could confuse) at every position of every length.
func TestQuoteOrBackslashScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'"', '\\', '!', '#', '[', ']', 0x00, 0x01, 0x21, 0x23, 0x5b, 0x5d, 0xa2, 0xdc, 'a', ' '}
	for n := 0; n <= 40; n++ {
		for range 300 {
			b := make([]byte, n)
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
				if rng.IntN(3) > 0 {
					b[i] = 'a' + byte(rng.IntN(26))
				}
			}
			first := len(b)
			if i := bytes.IndexAny(b, "\"\\"); i >= 0 {
				first = i
			}
			if got := indexQuoteOrBackslash(b); got != first {
				t.Fatalf("indexQuoteOrBackslash(%q) = %d, want %d", b, got, first)
			}
			last := bytes.LastIndexAny(b, "\"\\")
			if got := lastQuoteOrBackslash(b); got != last {
				t.Fatalf("lastQuoteOrBackslash(%q) = %d, want %d", b, got, last)
			}
		}
	}
}
