package system.authz_test

import data.system.authz

_runtime := {"env": {"VBAWS_OPA_TOKEN": "s3cret"}}

test_probe_needs_no_token if {
	authz.allow with input as {"method": "GET", "path": ["health"]}
		with opa.runtime as _runtime
}

test_decision_with_token if {
	authz.allow with input as _decision("s3cret")
		with opa.runtime as _runtime
}

test_decision_without_or_with_wrong_token_denied if {
	not authz.allow with input as object.remove(_decision(""), ["identity"])
		with opa.runtime as _runtime
	not authz.allow with input as _decision("guess")
		with opa.runtime as _runtime
}

test_other_data_denied_even_with_token if {
	not authz.allow with input as {"method": "POST", "path": ["v1", "data", "system"], "identity": "s3cret"}
		with opa.runtime as _runtime
	not authz.allow with input as {"method": "PUT", "path": ["v1", "policies", "x"], "identity": "s3cret"}
		with opa.runtime as _runtime
}

test_unset_or_empty_token_denies_everyone if {
	not authz.allow with input as _decision("")
		with opa.runtime as {"env": {"VBAWS_OPA_TOKEN": ""}}
	not authz.allow with input as _decision("anything")
		with opa.runtime as {"env": {}}
}

_decision(token) := {
	"method": "POST",
	"path": ["v1", "data", "vbaws", "ec2_backup", "report"],
	"identity": token,
}
