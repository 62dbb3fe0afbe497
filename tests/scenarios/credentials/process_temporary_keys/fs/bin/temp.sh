#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "ASIAPROCESS000000001", "SecretAccessKey": "process-secret-value", "SessionToken": "process-session-token", "Expiration": "2026-01-01T02:00:00Z"}'
