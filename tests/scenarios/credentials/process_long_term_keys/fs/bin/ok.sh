#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "AKIAPROCESS000000001", "SecretAccessKey": "process-secret-value"}'
