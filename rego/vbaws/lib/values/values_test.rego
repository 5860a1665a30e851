package vbaws.lib.values_test

import data.vbaws.lib.values

test_as_list if {
	values.as_list("a") == ["a"]
	values.as_list(["a", "b"]) == ["a", "b"]
	values.as_list(null) == []
	values.as_list({"k": 1}) == [{"k": 1}]
}

test_parse_object if {
	values.parse_document({"Statement": []}) == {"document": {"Statement": []}}
}

test_parse_json_string if {
	values.parse_document(`{"Version":"2012-10-17","Statement":[]}`) == {"document": {"Version": "2012-10-17", "Statement": []}}
}

test_parse_url_encoded_string if {
	encoded := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
	values.parse_document(encoded) == {"document": {"Version": "2012-10-17", "Statement": []}}
}

# "+" is a plus sign under RFC 3986, as IAM encodes documents; a space is %20.
test_parse_url_encoded_plus_is_a_plus if {
	encoded := "%7B%22Statement%22%3A%5B%5D%2C%22Id%22%3A%22a+b%20c%22%7D"
	values.parse_document(encoded) == {"document": {"Statement": [], "Id": "a+b c"}}

	# form encoding ("+" for a space between tokens) still reads when nothing else does
	form := "%7B%22Statement%22%3A+%5B%5D%7D"
	values.parse_document(form) == {"document": {"Statement": []}}
}

test_parse_rejects_non_object_json if {
	values.parse_document("[1, 2]") == {"error": "document is a string that is neither JSON nor URL-encoded JSON of an object"}
}

test_parse_rejects_garbage_string if {
	values.parse_document("not json") == {"error": "document is a string that is neither JSON nor URL-encoded JSON of an object"}
}

# A key named twice in one object keeps only its last value when parsed: the first
# Condition of this Allow would be lost, and with it the restriction.
test_parse_refuses_a_key_named_twice if {
	text := `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}},"Condition":{}}]}`
	values.parse_document(text) == {"error": `document is JSON text that names "Condition" twice in one object`}
	values.parse_document(urlquery.encode(text)) == {"error": `document is JSON text that names "Condition" twice in one object`}
}

test_parse_refuses_a_key_named_twice_at_any_depth if {
	nested := `{"Statement":{"Condition":{"StringEquals":{"aws:PrincipalTag/t":"a"},"StringEquals":{}}}}`
	values.parse_document(nested) == {"error": `document is JSON text that names "StringEquals" twice in one object`}

	# keys that were only in the dropped value are not named; one that is also elsewhere may be
	elsewhere := `{"Statement":[{"Condition":{"Bool":{"k":"1"}}},{"Condition":{"Bool":{"k":"1"}},"Condition":{}}]}`
	values.parse_document(elsewhere) == {"error": `document is JSON text that names one of "Bool", "Condition", "k" twice in one object`}

	many := concat("", [`{"Statement":{`, concat(",", [sprintf(`"k%02d":1`, [i]) | some i in numbers.range(1, 14)]), `},"Statement":{`, concat(",", [sprintf(`"k%02d":1`, [i]) | some i in numbers.range(1, 14)]), `}}`])
	values.parse_document(many) == {"error": `document is JSON text that names one of "Statement", "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10", "k11", 3 more twice in one object`}

	# the same key spelt with an escape is the same key
	escaped := `{"Statement":[],"\u0053tatement":[]}`
	values.parse_document(escaped) == {"error": `document is JSON text that names "Statement" twice in one object`}
}

# Strings that look like keys are not keys, and the same key in two objects is no repeat.
test_parse_key_like_values_are_not_keys if {
	text := `{"Statement":[{"Sid":"a\":","Action":["x", ":y"]},{"Sid":"b"}], "Id" : ":"}`
	values.parse_document(text) == {"document": {
		"Statement": [{"Sid": "a\":", "Action": ["x", ":y"]}, {"Sid": "b"}],
		"Id": ":",
	}}
}

test_parse_missing if {
	values.parse_document(null) == {"error": "document is missing"}
}

test_parse_wrong_type if {
	values.parse_document(42) == {"error": "document is a number, not a JSON object or string"}
}

test_arn_account if {
	values.arn_account("arn:aws:iam::123456789012:role/x") == "123456789012"
	not values.arn_account("arn:aws:iam::aws:policy/ReadOnlyAccess")
	not values.arn_account("VeeamRole")
}
