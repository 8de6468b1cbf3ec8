// Command talos-config-check does with a machine-config patch what a Talos node and talosctl do
// with it, using github.com/siderolabs/talos/pkg/machinery of one Talos release. It is built once
// per minor against that minor's machinery: go.mod pins 1.13, and `go build -modfile=v1.X.mod`
// uses v1.9.mod, v1.11.mod or v1.12.mod beside this file, so this one source compiles against machinery 1.9
// through 1.13 (APIs that exist only in newer releases are reached through interface assertions
// on standard-library types, never by name).
//
// It reads one JSON request on stdin:
//
//	{"clusterName": "lab", "endpoint": "https://192.168.30.30:6443", "kubernetesVersion": "",
//	 "machineType": "controlplane", "patches": ["<yaml>", ...], "baseConfig": "<yaml, optional>",
//	 "secretsFromConfig": "<yaml, optional>"}
//
// and prints one JSON response on stdout (see response). Steps:
//  1. Base config: baseConfig when given (loaded with configloader, as a node loads its config),
//     otherwise generated the way `talosctl gen config` does for this release: secrets.NewBundle
//     with the release's version contract (or, with secretsFromConfig, secrets.NewBundleFromConfig
//     of that config, as `talosctl gen secrets --from-controlplane-config` makes a bundle), generate.NewInput(clusterName, endpoint,
//     kubernetesVersion or constants.DefaultKubernetesVersion, install disk /dev/sda, the
//     release's installer image), Input.Config(machineType).
//  2. configpatcher.LoadPatches + configpatcher.Apply: the code `talosctl patch machineconfig` and
//     `talosctl machineconfig patch` run (strategic merge, or JSON6902 for a JSON patch).
//  3. The patched bytes are loaded again with configloader.NewFromBytes (what the node does with
//     an applied config) and validated with Validate(metal mode) for warnings and with
//     Validate(metal mode, validation.WithStrict()) for validationErrors (strict turns warnings
//     into errors, as `talosctl validate --strict` does).
//
// Exit status 0 whenever a response is printed; a failure to generate, load or apply is reported
// in the response's "error" field. Exit status 1 only when the response cannot be written.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/siderolabs/talos/pkg/machinery/config"
	talosconfig "github.com/siderolabs/talos/pkg/machinery/config/config"
	"github.com/siderolabs/talos/pkg/machinery/config/configloader"
	"github.com/siderolabs/talos/pkg/machinery/config/configpatcher"
	"github.com/siderolabs/talos/pkg/machinery/config/encoder"
	"github.com/siderolabs/talos/pkg/machinery/config/generate"
	"github.com/siderolabs/talos/pkg/machinery/config/generate/secrets"
	"github.com/siderolabs/talos/pkg/machinery/config/machine"
	"github.com/siderolabs/talos/pkg/machinery/config/validation"
	"github.com/siderolabs/talos/pkg/machinery/constants"
	"github.com/siderolabs/talos/pkg/machinery/gendata"
)

type request struct {
	ClusterName       string   `json:"clusterName"`
	Endpoint          string   `json:"endpoint"`
	KubernetesVersion string   `json:"kubernetesVersion"`
	MachineType       string   `json:"machineType"`
	Patches           []string `json:"patches"`
	BaseConfig        string   `json:"baseConfig"`
	// SecretsFromConfig: a machine config whose secrets the generated config reuses
	// (secrets.NewBundleFromConfig, what `talosctl gen secrets --from-controlplane-config` runs)
	// instead of a new bundle.
	SecretsFromConfig string `json:"secretsFromConfig"`
}

// vip is one virtual IP the config declares.
type vip struct {
	// Source: "v1alpha1" (machine.network.interfaces[].vip) or the document kind (Layer2VIPConfig, HCloudVIPConfig).
	Source string `json:"source"`
	// Link: the interface name, or "" when a v1alpha1 entry selects its link with deviceSelector.
	Link     string            `json:"link"`
	Selector map[string]string `json:"selector,omitempty"`
	IP       string            `json:"ip"`
}

// legacyInterface is one machine.network.interfaces[] entry as Talos reads it. Any entry that is not
// `ignore: true` makes Talos's LinkConfigController emit a machine-configuration LinkSpec for the
// link, and OperatorConfigController then runs no default DHCPv4 on it: only `dhcp: true` (or
// static addresses) give it an address.
type legacyInterface struct {
	Interface string            `json:"interface"`
	Selector  map[string]string `json:"selector,omitempty"`
	Ignore    bool              `json:"ignore"`
	DHCP      bool              `json:"dhcp"`
	// DHCP4: OperatorConfigController's own condition for a DHCPv4 operator from this entry,
	// `device.DHCP() && device.DHCPOptions().IPv4()` (internal/app/machined/pkg/controllers/network/
	// operator_config.go, Talos v1.9.5 and v1.11.5).
	DHCP4     bool     `json:"dhcp4"`
	Addresses []string `json:"addresses"`
	VIP       string   `json:"vip,omitempty"`
}

type document struct {
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
}

type response struct {
	// TalosVersion: the machinery release this binary was built with, e.g. v1.13.9.
	TalosVersion string `json:"talosVersion"`
	// Config: the patched config (multi-document YAML, without comments).
	Config           string   `json:"config"`
	ValidationErrors []string `json:"validationErrors"`
	Warnings         []string `json:"warnings"`
	// RunDefaultDHCPOperators: Config.RunDefaultDHCPOperators() where the release has it (1.12+), else null.
	RunDefaultDHCPOperators *bool    `json:"runDefaultDHCPOperators"`
	Notes                   []string `json:"notes"`
	VIPs                    []vip    `json:"vips"`
	// Documents: every document of the patched config, in order (v1alpha1 first).
	Documents         []document        `json:"documents"`
	LegacyInterfaces  []legacyInterface `json:"legacyInterfaces"`
	Endpoint          string            `json:"endpoint"`
	MachineCertSANs   []string          `json:"machineCertSANs"`
	APIServerCertSANs []string          `json:"apiServerCertSANs"`
	Error             string            `json:"error,omitempty"`
}

// metalMode is the RuntimeMode of a Talos node on bare metal (the real one lives in Talos's
// internal runtime package): not in a container, installs to disk.
type metalMode struct{}

func (metalMode) String() string        { return "metal" }
func (metalMode) RequiresInstall() bool { return true }
func (metalMode) InContainer() bool     { return false }

func main() {
	resp := run(os.Stdin)

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")

	if err := enc.Encode(resp); err != nil {
		fmt.Fprintln(os.Stderr, "talos-config-check:", err)
		os.Exit(1)
	}
}

func run(in io.Reader) (resp *response) {
	resp = &response{
		TalosVersion:     gendata.VersionTag,
		ValidationErrors: []string{},
		Warnings:         []string{},
		Notes:            []string{},
		VIPs:             []vip{},
		Documents:        []document{},
		LegacyInterfaces: []legacyInterface{},
	}

	defer func() {
		if p := recover(); p != nil {
			resp.Error = fmt.Sprintf("panic: %v", p)
		}
	}()

	var req request

	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()

	if err := dec.Decode(&req); err != nil {
		resp.Error = fmt.Sprintf("reading the request: %v", err)

		return resp
	}

	base, err := baseConfig(&req)
	if err != nil {
		resp.Error = err.Error()

		return resp
	}

	patches, err := configpatcher.LoadPatches(req.Patches)
	if err != nil {
		resp.Error = fmt.Sprintf("loading the patches: %v", err)

		return resp
	}

	out, err := configpatcher.Apply(base, patches)
	if err != nil {
		resp.Error = fmt.Sprintf("applying the patches: %v", err)

		return resp
	}

	patchedBytes, err := out.Bytes()
	if err != nil {
		resp.Error = fmt.Sprintf("encoding the patched config: %v", err)

		return resp
	}

	cfg, err := configloader.NewFromBytes(patchedBytes)
	if err != nil {
		resp.Error = fmt.Sprintf("loading the patched config: %v", err)

		return resp
	}

	resp.Config, err = cfg.EncodeString(encoder.WithComments(encoder.CommentsDisabled))
	if err != nil {
		resp.Error = fmt.Sprintf("encoding the patched config: %v", err)

		return resp
	}

	// The non-strict run gives the warnings (a node accepts a config with warnings); its errors are
	// repeated by the strict run, which also turns the warnings into errors.
	warnings, _ := cfg.Validate(metalMode{}) //nolint:errcheck
	resp.Warnings = append(resp.Warnings, warnings...)

	if _, err = cfg.Validate(metalMode{}, validation.WithStrict()); err != nil {
		resp.ValidationErrors = flatten(err)
	}

	describe(cfg, resp)

	return resp
}

func baseConfig(req *request) (configpatcher.Input, error) {
	if req.BaseConfig != "" {
		cfg, err := configloader.NewFromBytes([]byte(req.BaseConfig))
		if err != nil {
			return nil, fmt.Errorf("loading baseConfig: %w", err)
		}

		return configpatcher.WithConfig(cfg), nil
	}

	machineType := machine.TypeControlPlane

	if req.MachineType != "" {
		var err error

		if machineType, err = machine.ParseType(req.MachineType); err != nil {
			return nil, fmt.Errorf("machineType: %w", err)
		}
	}

	contract, err := config.ParseContractFromVersion(gendata.VersionTag)
	if err != nil {
		return nil, fmt.Errorf("version contract %s: %w", gendata.VersionTag, err)
	}

	var bundle *secrets.Bundle

	if req.SecretsFromConfig != "" {
		from, err := configloader.NewFromBytes([]byte(req.SecretsFromConfig))
		if err != nil {
			return nil, fmt.Errorf("loading secretsFromConfig: %w", err)
		}

		bundle = secrets.NewBundleFromConfig(secrets.NewFixedClock(time.Now()), from)
	} else if bundle, err = secrets.NewBundle(secrets.NewFixedClock(time.Now()), contract); err != nil {
		return nil, fmt.Errorf("generating secrets: %w", err)
	}

	kubernetesVersion := req.KubernetesVersion
	if kubernetesVersion == "" {
		kubernetesVersion = constants.DefaultKubernetesVersion
	}

	input, err := generate.NewInput(req.ClusterName, req.Endpoint, kubernetesVersion,
		generate.WithVersionContract(contract),
		generate.WithSecretsBundle(bundle),
		// The defaults of `talosctl gen config` (--install-disk, --install-image).
		generate.WithInstallDisk("/dev/sda"),
		generate.WithInstallImage(fmt.Sprintf("%s/%s/installer:%s", gendata.ImagesRegistry, gendata.ImagesUsername, gendata.VersionTag)),
	)
	if err != nil {
		return nil, fmt.Errorf("generate.NewInput: %w", err)
	}

	cfg, err := input.Config(machineType)
	if err != nil {
		return nil, fmt.Errorf("generating the %s config: %w", machineType, err)
	}

	return configpatcher.WithConfig(cfg), nil
}

// describe fills the fields read from the patched config.
func describe(cfg config.Provider, resp *response) {
	if dhcp, ok := cfg.(interface{ RunDefaultDHCPOperators() bool }); ok {
		v := dhcp.RunDefaultDHCPOperators()
		resp.RunDefaultDHCPOperators = &v
	} else {
		resp.Notes = append(resp.Notes, fmt.Sprintf(
			"runDefaultDHCPOperators is null: machinery %s has no Config.RunDefaultDHCPOperators (added with the multi-document network config in 1.12); "+
				"default DHCPv4 runs on every physical link that no machine.network.interfaces[] entry names (see legacyInterfaces)",
			gendata.VersionTag))
	}

	for _, doc := range cfg.Documents() {
		d := document{Kind: doc.Kind()}

		if named, ok := doc.(interface{ Name() string }); ok {
			d.Name = named.Name()
		}

		resp.Documents = append(resp.Documents, d)

		if v, ok := doc.(interface {
			Link() string
			VIP() netip.Addr
		}); ok {
			resp.VIPs = append(resp.VIPs, vip{Source: doc.Kind(), Link: v.Link(), IP: v.VIP().String()})
		}
	}

	if cfg.Machine() != nil {
		for _, device := range cfg.Machine().Network().Devices() {
			li := legacyInterface{
				Interface: device.Interface(),
				Selector:  selectorOf(device.Selector()),
				Ignore:    device.Ignore(),
				DHCP:      device.DHCP(),
				DHCP4:     device.DHCP() && device.DHCPOptions().IPv4(),
				Addresses: append([]string{}, device.Addresses()...),
			}

			if device.VIPConfig() != nil && device.VIPConfig().IP() != "" {
				li.VIP = device.VIPConfig().IP()
				resp.VIPs = append(resp.VIPs, vip{Source: "v1alpha1", Link: li.Interface, Selector: li.Selector, IP: li.VIP})
			}

			resp.LegacyInterfaces = append(resp.LegacyInterfaces, li)
		}

		resp.MachineCertSANs = append([]string{}, cfg.Machine().Security().CertSANs()...)
	}

	if cfg.Cluster() != nil {
		if u := cfg.Cluster().Endpoint(); u != nil {
			resp.Endpoint = u.String()
		}

		resp.APIServerCertSANs = append([]string{}, cfg.Cluster().CertSANs()...)
	}
}

// selectorOf returns the non-empty fields of a deviceSelector, or nil.
func selectorOf(s talosconfig.NetworkDeviceSelector) map[string]string {
	if s == nil {
		return nil
	}

	m := map[string]string{}

	for k, v := range map[string]string{
		"busPath":       s.Bus(),
		"hardwareAddr":  s.HardwareAddress(),
		"permanentAddr": s.PermanentAddress(),
		"pciID":         s.PCIID(),
		"driver":        s.KernelDriver(),
	} {
		if v != "" {
			m[k] = v
		}
	}

	if p := s.Physical(); p != nil {
		m["physical"] = fmt.Sprint(*p)
	}

	if len(m) == 0 {
		return nil
	}

	return m
}

// flatten turns Talos's nested validation errors (multierror, errors.Join, and wrappers such as
// "v1alpha1.Config: ..." or "Layer2VIPConfig/<name>: ...") into one message per problem, each
// keeping the prefixes of the errors around it.
func flatten(err error) []string {
	var out []string

	var walk func(prefix string, err error)

	walk = func(prefix string, err error) {
		switch e := err.(type) { //nolint:errorlint // the exact wrapping structure matters here
		case *multierror.Error:
			for _, child := range e.Errors {
				walk(prefix, child)
			}

			return
		case interface{ Unwrap() []error }:
			children := e.Unwrap()

			// A wrapper such as fmt.Errorf("%s: %w", id, errors.Join(...)) that adds text around the children.
			if joined := errors.Join(children...); joined != nil && strings.HasSuffix(err.Error(), joined.Error()) {
				p := strings.TrimSuffix(err.Error(), joined.Error())
				for _, child := range children {
					walk(prefix+p, child)
				}

				return
			}
		case interface{ Unwrap() error }:
			if inner := e.Unwrap(); inner != nil && strings.HasSuffix(err.Error(), inner.Error()) {
				walk(prefix+strings.TrimSuffix(err.Error(), inner.Error()), inner)

				return
			}
		}

		out = append(out, prefix+err.Error())
	}

	walk("", err)

	return out
}
