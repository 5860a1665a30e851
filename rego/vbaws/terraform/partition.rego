package vbaws.terraform

import data.vbaws.lib.iac
import data.vbaws.lib.values

# A role the plan creates has no ARN before apply, so the engine cannot tell its partition from
# it; the region of its provider configuration, written out, tells it. Partitions have separate
# IAMs and sts:AssumeRole does not cross them (IAM User Guide,
# id_roles_providers_outbound_cross_partition): an appliance whose ARN is of another partition
# cannot assume the role, whatever its trust says (an account id or "*" there names principals
# of the role's own partition).

# METADATA
# description: A selected role created in another partition than the appliance's ARN.
deny contains msg if {
	some address in _selected
	model := roles[address]
	not values.arn_account(model.arn)
	principal := iac.snapshot(model).appliance.principal
	appliance := _principal_partition(principal)
	region := _role_region(address)
	partition := _region_partition(region)
	partition != appliance
	msg := sprintf(
		concat("", [
			"%s: the trust policy does not let %s call sts:AssumeRole on this role (the appliance ",
			"is in partition %s, the role, created in region %s, in partition %s: sts:AssumeRole ",
			"does not cross partitions)",
		]),
		[address, principal, appliance, region, partition],
	)
}

_principal_partition(principal) := parts[1] if {
	is_string(principal)
	parts := split(principal, ":")
	count(parts) >= 6
	parts[0] == "arn"
}

# The region of the role's provider configuration: a module's own block, else the root's one
# it inherits (a module's block with arguments inherits none, and without region it is the
# environment's, which the plan does not hold).
_role_region(address) := region if {
	region := _written_region(_provider_key(address))
} else := _written_region(regex.replace(_provider_key(address), `^.*:`, "")) if {
	not _provider_arguments(_provider_key(address))
}

_written_region(key) := region if {
	region := input.configuration.provider_config[key].expressions.region.constant_value
	is_string(region)
}

# The partitions of the regions of its own partitions AWS names so; a region of no known shape
# has none here.
_region_partition(region) := "aws-us-gov" if {
	startswith(region, "us-gov-")
} else := "aws-cn" if {
	startswith(region, "cn-")
} else := "aws-iso-b" if {
	startswith(region, "us-isob-")
} else := "aws-iso-f" if {
	startswith(region, "us-isof-")
} else := "aws-iso-e" if {
	startswith(region, "eu-isoe-")
} else := "aws-iso" if {
	startswith(region, "us-iso-")
} else := "aws-eusc" if {
	startswith(region, "eusc-")
} else := "aws" if {
	regex.match(_commercial_region, region)
}

_commercial_region := concat("", [
	`^(us|eu|ap|sa|ca|me|af|il|mx)-`,
	`(east|west|north|south|central|northeast|northwest|southeast|southwest)-[0-9]+$`,
])
