"""Read-only collection of IAM roles (and the SCPs above them) from AWS with boto3.

The package turns live accounts into contract section 2 role snapshots:

- :mod:`harness.aws.clients`: boto3 sessions and clients (credential chain, ``--endpoint-url``,
  adaptive retries, the optional call recorder).
- :mod:`harness.aws.collect`: one account's roles and policies, in the
  GetAccountAuthorizationDetails shape, by the bulk call or by per-role calls.
- :mod:`harness.aws.selection`: which roles to scan.
- :mod:`harness.aws.organizations`: the SCPs on an account's path.
- :mod:`harness.aws.accounts`: the caller's account, or every active member account a few at a
  time (``--organization``).
- :mod:`harness.aws.snapshot`: collected data -> role snapshots and "not evaluated" records.
"""
