package themes

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestBuiltinThemesAreCompleteAndValid(t *testing.T) {
	if got, want := Names(), []string{"dark", "high-contrast", "light"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range Names() {
		th, err := Builtin(name)
		if err != nil {
			t.Fatalf("Builtin(%q): %v", name, err)
		}
		if th.Name != name {
			t.Errorf("Builtin(%q).Name = %q", name, th.Name)
		}
		if err := th.validate(); err != nil {
			t.Errorf("Builtin(%q): %v", name, err)
		}
		// Every colour set: a built-in theme must not lean on another.
		v := reflect.ValueOf(th)
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Type.Kind() == reflect.String && v.Field(i).String() == "" {
				t.Errorf("Builtin(%q): %s is empty", name, f.Tag.Get("yaml"))
			}
		}
		if th.NoColor {
			t.Errorf("Builtin(%q) has no_color set", name)
		}
	}
}

func TestBuiltinThemesDiffer(t *testing.T) {
	dark, _ := Builtin("dark")
	light, _ := Builtin("light")
	hc, _ := Builtin("high-contrast")
	if dark.FG == light.FG || dark.FG == hc.FG && dark.Accent == hc.Accent {
		t.Errorf("themes look alike: dark %+v light %+v high-contrast %+v", dark, light, hc)
	}
}

func TestBuiltinUnknown(t *testing.T) {
	_, err := Builtin("solarized")
	if err == nil || !strings.Contains(err.Error(), "dark, high-contrast, light") {
		t.Fatalf("Builtin(unknown) = %v, want an error listing the themes", err)
	}
	if _, err := Builtin("../themes"); err == nil {
		t.Fatal("Builtin(../themes) succeeded")
	}
}

func TestParseOverBase(t *testing.T) {
	base, _ := Builtin("dark")
	th, err := Parse([]byte("# mine\nname: mine\naccent: \"#123456\"\nwarn: \"208\"\n"), base)
	if err != nil {
		t.Fatal(err)
	}
	if th.Name != "mine" || th.Accent != "#123456" || th.Warn != "208" {
		t.Errorf("set fields not applied: %+v", th)
	}
	if th.FG != base.FG || th.Error != base.Error {
		t.Errorf("unset fields not kept from base: %+v", th)
	}
	if base.Accent == "#123456" {
		t.Error("Parse changed its base")
	}
	if th, err := Parse(nil, base); err != nil || th != base {
		t.Errorf("Parse(empty) = %+v, %v; want the base", th, err)
	}
}

func TestParseUnknownKeyNamesTheLine(t *testing.T) {
	base, _ := Builtin("dark")
	_, err := Parse([]byte("name: x\nfg: \"#ffffff\"\naccnet: \"#00ff00\"\n"), base)
	if err == nil {
		t.Fatal("unknown key accepted")
	}
	if !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "accnet") {
		t.Errorf("error %q should name line 3 and the key", err)
	}
}

func TestParseBadColour(t *testing.T) {
	base, _ := Builtin("dark")
	for _, bad := range []string{`"#12345"`, `"#gggggg"`, `"256"`, `"red"`, `"-1"`, `"#1234567"`} {
		_, err := Parse([]byte("ok: "+bad+"\n"), base)
		if err == nil || !strings.Contains(err.Error(), "ok:") {
			t.Errorf("ok: %s: error %v, want one naming the key", bad, err)
		}
	}
	for _, good := range []string{`"#A0b1C2"`, `"0"`, `"255"`, `"42"`} {
		if _, err := Parse([]byte("ok: "+good+"\n"), base); err != nil {
			t.Errorf("ok: %s: %v", good, err)
		}
	}
	if _, err := Parse([]byte("fg: [1, 2\n"), base); err == nil {
		t.Error("broken YAML accepted")
	}
}

func TestLoad(t *testing.T) {
	dark, _ := Builtin("dark")
	light, _ := Builtin("light")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "themes"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "themes", "ocean.yaml"), "accent: \"#0000ff\"\n")
	write(filepath.Join(dir, "themes", "broken.yaml"), "accent: blue\n")
	write(filepath.Join(dir, "themes", "typo.yaml"), "name: typo\n\nacent: \"#0000ff\"\n")
	elsewhere := filepath.Join(t.TempDir(), "custom.yaml")
	write(elsewhere, "name: custom\nerror: \"196\"\n")

	tests := []struct {
		name    string
		noColor bool
		check   func(Theme) bool
		errHas  string
	}{
		{name: "", check: func(th Theme) bool { return th == dark }},
		{name: "dark", check: func(th Theme) bool { return th == dark }},
		{name: "light", check: func(th Theme) bool { return th == light }},
		{name: "high-contrast", check: func(th Theme) bool { return th.Name == "high-contrast" }},
		{name: "ocean", check: func(th Theme) bool {
			return th.Name == "ocean" && th.Accent == "#0000ff" && th.FG == dark.FG && th.OK == dark.OK
		}},
		{name: elsewhere, check: func(th Theme) bool { return th.Name == "custom" && th.Error == "196" && th.FG == dark.FG }},
		{name: "light", noColor: true, check: func(th Theme) bool { return th.NoColor && th.FG == light.FG }},
		{name: "ocean", noColor: true, check: func(th Theme) bool { return th.NoColor && th.Accent == "#0000ff" }},
		{name: "missing", errHas: "not built in"},
		{name: "broken", errHas: "accent"},
		{name: "typo", errHas: "line 3"},
		{name: filepath.Join(dir, "nope.yaml"), errHas: "nope.yaml"},
	}
	for _, tc := range tests {
		th, err := Load(tc.name, dir, tc.noColor)
		if tc.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("Load(%q) error = %v, want one containing %q", tc.name, err, tc.errHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("Load(%q): %v", tc.name, err)
			continue
		}
		if !tc.check(th) {
			t.Errorf("Load(%q, noColor=%v) = %+v", tc.name, tc.noColor, th)
		}
	}
}

func TestLoadWithoutConfigDir(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("themes", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("themes", "cwd.yaml"), []byte("accent: \"1\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load("cwd", "", false); err == nil {
		t.Error("a theme name was looked up relative to the working directory")
	}
}
