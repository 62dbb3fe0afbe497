#!/bin/sh
echo 'process-secret-value is not JSON'
