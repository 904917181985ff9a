package lambdalog

import "time"

// parseISOTime parses the RFC 3339 timestamp at the start of s
// ("2023-12-05T22:10:47.468Z", "2025-11-30T22:35:51.565094Z",
// "2024-05-20T16:29:45+02:00") and returns it in UTC with the number of bytes
// it used. It does not allocate.
func parseISOTime(s string) (time.Time, int, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, 0, false
	}
	year, ok1 := digitsN(s[0:4])
	month, ok2 := digitsN(s[5:7])
	day, ok3 := digitsN(s[8:10])
	hour, ok4 := digitsN(s[11:13])
	minute, ok5 := digitsN(s[14:16])
	sec, ok6 := digitsN(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, 0, false
	}
	i := 19
	nsec := 0
	if s[i] == '.' || s[i] == ',' {
		i++
		start := i
		scale := 100000000
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if scale > 0 {
				nsec += int(s[i]-'0') * scale
				scale /= 10
			}
			i++
		}
		if i == start {
			return time.Time{}, 0, false
		}
	}
	if i >= len(s) {
		return time.Time{}, 0, false
	}
	offset := 0
	switch s[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(s) < i+6 || s[i+3] != ':' {
			return time.Time{}, 0, false
		}
		oh, okh := digitsN(s[i+1 : i+3])
		om, okm := digitsN(s[i+4 : i+6])
		if !okh || !okm || oh > 23 || om > 59 {
			return time.Time{}, 0, false
		}
		offset = (oh*60 + om) * 60
		if s[i] == '-' {
			offset = -offset
		}
		i += 6
	default:
		return time.Time{}, 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, i, true
}

// digitsN parses a short run of ASCII digits.
func digitsN(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseTimeString parses a whole JSON time value: RFC 3339 as Lambda prints
// it, or anything time.RFC3339Nano accepts.
func parseTimeString(s string) (time.Time, bool) {
	if t, n, ok := parseISOTime(s); ok && n == len(s) {
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
