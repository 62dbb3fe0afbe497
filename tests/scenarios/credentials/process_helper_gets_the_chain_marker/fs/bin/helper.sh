#!/bin/sh
want="$(printf 'outer\nhelper')"
[ "$ASSUME_SPOKE_ROLE_PROFILE_CHAIN" = "$want" ] || exit 7
echo '{"Version": 1, "AccessKeyId": "AKIAPROCESS000000001", "SecretAccessKey": "process-secret-value"}'
