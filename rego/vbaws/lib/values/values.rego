# METADATA
# description: |
#   Normalises the loose shapes IAM JSON arrives in: single values or lists, and policy
#   documents given as objects, JSON strings or URL-encoded JSON strings (as the raw IAM API
#   returns them). Every other package reads IAM values through these helpers.
package vbaws.lib.values

# METADATA
# scope: document
# description: A single value or a list, as a list; null or a missing value gives an empty list.
as_list(x) := x if {
	is_array(x)
} else := [] if {
	is_null(x)
} else := [x]

# METADATA
# scope: document
# description: |
#   Parses a policy document. Returns {"document": object} when it is an object, a JSON
#   string or a URL-encoded JSON string of an object, otherwise {"error": reason}.
parse_document(doc) := {"document": doc} if {
	is_object(doc)
} else := _parse_string(doc) if {
	is_string(doc)
} else := {"error": "document is missing"} if {
	is_null(doc)
} else := {"error": sprintf("document is a %s, not a JSON object or string", [type_name(doc)])}

_parse_string(doc) := {"document": parsed} if {
	parsed := _json_object(doc)
} else := {"document": parsed} if {
	# IAM encodes documents per RFC 3986 (a space is %20), so "+" is a plus sign (IAM names
	# may hold one), which urlquery.decode would read as a space, as form encoding does.
	parsed := _json_object(urlquery.decode(replace(doc, "+", "%2B")))
} else := {"document": parsed} if {
	parsed := _json_object(urlquery.decode(doc))
} else := {"error": "document is a string that is neither JSON nor URL-encoded JSON of an object"}

_json_object(s) := parsed if {
	json.is_valid(s)
	parsed := json.unmarshal(s)
	is_object(parsed)
}

# METADATA
# description: The 12-digit account id of an IAM/STS ARN, undefined for anything else.
arn_account(arn) := account if {
	is_string(arn)
	parts := split(arn, ":")
	count(parts) >= 6
	parts[0] == "arn"
	account := parts[4]
	regex.match(`^[0-9]{12}$`, account)
}
