// Command gensdk generates a Pulumi package's SDK for one language with Pulumi's own code
// generator (github.com/pulumi/pulumi/pkg/v3/codegen/<language>), the code that
// `pulumi package gen-sdk` runs inside the language host. The tests use it because the language
// hosts (pulumi-language-python, pulumi-language-nodejs) are not served by the Go module proxy
// here, while the CLI's own module, which holds the code generators, is.
//
// Usage: gensdk -language python -schema schema.json -out DIR
//
// The schema is bound and validated against Pulumi's package metaschema first (schema.BindSpec),
// as `pulumi package gen-sdk` does; errors are printed with their diagnostics and exit 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noPackages is the reference loader for a schema that references no other package: every
// lookup fails (a component package's schema refers only to its own types and pulumi.json).
type noPackages struct{}

var errNoPackages = errors.New("this schema may reference no other package")

func (noPackages) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errNoPackages
}
func (noPackages) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoPackages
}
func (noPackages) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoPackages
}
func (noPackages) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errNoPackages
}

func main() {
	language := flag.String("language", "python", "SDK language (python)")
	schemaPath := flag.String("schema", "", "package schema JSON")
	out := flag.String("out", "", "output directory (created, must not exist)")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		fail("usage: gensdk -language python -schema schema.json -out DIR")
	}
	raw, err := os.ReadFile(*schemaPath)
	check(err)
	var spec schema.PackageSpec
	check(json.Unmarshal(raw, &spec))
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	if err != nil || diags.HasErrors() {
		fail(fmt.Sprintf("schema does not bind: %v %v", err, diags))
	}
	var files map[string][]byte
	switch *language {
	case "python":
		files, err = python.GeneratePackage("talos-endpoints-gensdk", pkg, nil, noPackages{})
	default:
		fail("unsupported language " + *language)
	}
	check(err)
	check(os.MkdirAll(*out, 0o755))
	for name, data := range files {
		path := filepath.Join(*out, name)
		check(os.MkdirAll(filepath.Dir(path), 0o755))
		check(os.WriteFile(path, data, 0o644))
	}
	fmt.Printf("wrote %d files to %s\n", len(files), *out)
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "gensdk: "+msg)
	os.Exit(1)
}
