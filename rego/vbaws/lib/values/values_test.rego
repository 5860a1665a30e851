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
