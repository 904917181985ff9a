// Package themes holds fntop's colour themes as data: a theme is a semantic
// palette (foreground, subtle, border, accent, ok, warn, error, cold,
// selection, ...) in a YAML file. The built-in themes are embedded; a user
// theme is read over the default, and unknown keys are an error. The UI
// builds every style from a Theme once; no component hard-codes a colour.
package themes

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed builtin/*.yaml
var builtin embed.FS

// Default is the theme used when none is chosen.
const Default = "dark"

// Theme is a semantic palette. Colours are "#rrggbb" strings (or ANSI
// numbers "0".."255"); an empty Theme field keeps the default's colour.
type Theme struct {
	Name string `yaml:"name"`
	// NoColor renders everything without colour (NO_COLOR, or a theme that
	// asks for it); attributes such as bold and reverse still mark state.
	NoColor bool `yaml:"no_color"`

	FG          string `yaml:"fg"`
	Subtle      string `yaml:"subtle"`
	Border      string `yaml:"border"`
	Accent      string `yaml:"accent"`
	HeaderFG    string `yaml:"header_fg"`
	HeaderBG    string `yaml:"header_bg"`
	OK          string `yaml:"ok"`
	Warn        string `yaml:"warn"`
	Error       string `yaml:"error"`
	Cold        string `yaml:"cold"`
	SelectionFG string `yaml:"selection_fg"`
	SelectionBG string `yaml:"selection_bg"`
	MatchFG     string `yaml:"match_fg"`
	MatchBG     string `yaml:"match_bg"`
	Chart1      string `yaml:"chart1"`
	Chart2      string `yaml:"chart2"`
	Chart3      string `yaml:"chart3"`
}

// Names lists the built-in themes.
func Names() []string {
	entries, _ := fs.ReadDir(builtin, "builtin") // embedded: cannot fail
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Builtin returns a built-in theme by name.
func Builtin(name string) (Theme, error) {
	data, err := builtin.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		return Theme{}, fmt.Errorf("no built-in theme %q (have %s)", name, strings.Join(Names(), ", "))
	}
	var t Theme
	if err := decode(data, &t); err != nil {
		return Theme{}, fmt.Errorf("built-in theme %s: %w", name, err)
	}
	return t, nil
}

// Parse reads a theme from YAML over base: keys it sets replace base's,
// unknown keys are an error that names the line.
func Parse(data []byte, base Theme) (Theme, error) {
	t := base
	if err := decode(data, &t); err != nil {
		return Theme{}, err
	}
	return t, t.validate()
}

func decode(data []byte, t *Theme) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(t); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// validate checks every colour.
func (t Theme) validate() error {
	for name, c := range map[string]string{
		"fg": t.FG, "subtle": t.Subtle, "border": t.Border, "accent": t.Accent, "header_fg": t.HeaderFG,
		"header_bg": t.HeaderBG, "ok": t.OK, "warn": t.Warn, "error": t.Error, "cold": t.Cold,
		"selection_fg": t.SelectionFG, "selection_bg": t.SelectionBG, "match_fg": t.MatchFG, "match_bg": t.MatchBG,
		"chart1": t.Chart1, "chart2": t.Chart2, "chart3": t.Chart3,
	} {
		if c != "" && !validColor(c) {
			return fmt.Errorf("%s: %q is not a colour (want #rrggbb or 0-255)", name, c)
		}
	}
	return nil
}

func validColor(c string) bool {
	if strings.HasPrefix(c, "#") {
		if len(c) != 7 {
			return false
		}
		for _, r := range c[1:] {
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
		return true
	}
	n := 0
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
		if n > 255 {
			return false
		}
	}
	return c != ""
}

// Load chooses a theme: name is a built-in theme, or a user theme file
// <name>.yaml in configDir/themes (read over the default theme), or a path
// to a YAML file. noColor (the NO_COLOR convention) turns colour off
// whatever the theme.
func Load(name, configDir string, noColor bool) (Theme, error) {
	if name == "" {
		name = Default
	}
	base, err := Builtin(Default)
	if err != nil {
		return Theme{}, err
	}
	t, err := Builtin(name)
	if err != nil {
		path := name
		isPath := strings.ContainsAny(name, `/\`) || strings.HasSuffix(name, ".yaml")
		if !isPath {
			if configDir == "" {
				return Theme{}, fmt.Errorf("theme %q: not built in (%s) and no config directory", name, strings.Join(Names(), ", "))
			}
			path = filepath.Join(configDir, "themes", name+".yaml")
		}
		data, rerr := os.ReadFile(path)
		if rerr != nil {
			return Theme{}, fmt.Errorf("theme %q: not built in (%s) and %v", name, strings.Join(Names(), ", "), rerr)
		}
		if t, err = Parse(data, base); err != nil {
			return Theme{}, fmt.Errorf("theme %s: %w", path, err)
		}
		if t.Name == base.Name {
			// The file did not name itself: call it after the file.
			t.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		}
	}
	if noColor {
		t.NoColor = true
	}
	return t, nil
}
