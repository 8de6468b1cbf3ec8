// k8s-object-check: strict decoding of Kubernetes objects into the typed structs of the pinned
// k8s.io/api release, for the tests (tests/helpers/k8sSchema.ts). Built by scripts/ensure-tools.sh
// as .tools/bin/k8s-object-check.
//
// It reads multi-document YAML on stdin. Each document must name an apiVersion and kind this
// program knows (the kinds the package renders: ServiceAccount, Secret, Pod, Namespace,
// ClusterRole, ClusterRoleBinding, Role, RoleBinding, DaemonSet, Deployment); it is converted to
// JSON (sigs.k8s.io/yaml, as kubectl does) and decoded into the typed object with
// sigs.k8s.io/json's UnmarshalStrict, the decoder the API server's strict field validation uses:
// field names match case-sensitively, and an unknown or duplicated field, or a value of the wrong
// type, is refused with a message naming the field. Exit status 0 when every document decodes; 1 with one line
// per bad document on stdout ("document <i> (<kind> <name>): <error>"); 2 for bad usage or input.
//
// With -kinds it prints the apiVersion/kind pairs it knows, one per line, and exits.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// known maps "apiVersion/kind" to a constructor of the typed object.
var known = map[string]func() any{
	"v1/ServiceAccount": func() any { return &corev1.ServiceAccount{} },
	"v1/Secret":         func() any { return &corev1.Secret{} },
	"v1/Pod":            func() any { return &corev1.Pod{} },
	"v1/Namespace":      func() any { return &corev1.Namespace{} },
	"v1/ConfigMap":      func() any { return &corev1.ConfigMap{} },
	"rbac.authorization.k8s.io/v1/ClusterRole":        func() any { return &rbacv1.ClusterRole{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
	"rbac.authorization.k8s.io/v1/Role":               func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":        func() any { return &rbacv1.RoleBinding{} },
	"apps/v1/DaemonSet":                               func() any { return &appsv1.DaemonSet{} },
	"apps/v1/Deployment":                              func() any { return &appsv1.Deployment{} },
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// splitDocuments splits a YAML stream on lines that are exactly "---" (with optional trailing
// spaces), dropping documents that hold only comments and blank lines.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	flush := func() {
		nonEmpty := false
		for _, line := range strings.Split(cur.String(), "\n") {
			t := strings.TrimSpace(line)
			if t != "" && !strings.HasPrefix(t, "#") {
				nonEmpty = true
				break
			}
		}
		if nonEmpty {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
		}
		cur.Reset()
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimRight(line, " \t") == "---" {
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return docs
}

// check decodes one document strictly; it returns the kind, name and the decoder's error.
func check(doc []byte) (string, string, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return "", "", fmt.Errorf("not YAML: %w", err)
	}
	var h header
	if err := json.Unmarshal(js, &h); err != nil {
		return "", "", fmt.Errorf("not a Kubernetes object: %w", err)
	}
	newObject, ok := known[h.APIVersion+"/"+h.Kind]
	if !ok {
		return h.Kind, h.Metadata.Name, fmt.Errorf("unknown apiVersion/kind %q/%q (known: run with -kinds)", h.APIVersion, h.Kind)
	}
	obj := newObject()
	strictErrs, err := kjson.UnmarshalStrict(js, obj)
	if err != nil {
		return h.Kind, h.Metadata.Name, err
	}
	if len(strictErrs) > 0 {
		msgs := make([]string, len(strictErrs))
		for i, e := range strictErrs {
			msgs[i] = e.Error()
		}
		return h.Kind, h.Metadata.Name, errors.New(strings.Join(msgs, "; "))
	}
	return h.Kind, h.Metadata.Name, nil
}

func main() {
	kinds := flag.Bool("kinds", false, "print the apiVersion/kind pairs this program checks")
	flag.Parse()
	if *kinds {
		var keys []string
		for k := range known {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Println(strings.Join(keys, "\n"))
		return
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s-object-check: reading stdin:", err)
		os.Exit(2)
	}
	docs := splitDocuments(data)
	if len(docs) == 0 {
		fmt.Fprintln(os.Stderr, "k8s-object-check: no document on stdin")
		os.Exit(2)
	}
	bad := 0
	for i, doc := range docs {
		kind, name, err := check(doc)
		if err != nil {
			bad++
			fmt.Printf("document %d (%s %s): %v\n", i, kind, name, err)
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
	fmt.Printf("ok: %d documents\n", len(docs))
}
