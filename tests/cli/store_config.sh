#!/usr/bin/env bash
# tarn store config: named store profiles in $TARN_CONFIG — set, get (secrets
# masked), list, rm; the file is written atomically with mode 0600; names,
# keys, types and values are checked; a profile's name works as a URL
# scheme and its endpoint (not the environment's) is the one contacted.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"
export TARN_CONFIG="$tmp/conf/tarn/stores.ini" TARN_STORE_MAX_RETRIES=0
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3

expect_rc 0 "$TARN" store config list
expect_out ""
expect_rc 0 "$TARN" store config set minio type=s3 endpoint=http://127.0.0.1:1 region=eu-west-1 \
  access_key_id=AK secret_access_key='s3cr3t=/+' path_style=true
[ "$(stat -c %a "$TARN_CONFIG")" = 600 ] || fail "stores.ini has mode $(stat -c %a "$TARN_CONFIG"), want 600"
[ "$(stat -c %a "$tmp/conf/tarn")" = 700 ] || fail "the config directory has mode $(stat -c %a "$tmp/conf/tarn")"
expect_rc 0 "$TARN" store config set lake type=az account=devstoreaccount1 endpoint=http://127.0.0.1:1/devstoreaccount1
expect_rc 0 "$TARN" store config list
expect_out "minio                s3
lake                 az
"
expect_rc 0 "$TARN" store config get minio
expect_out "type = s3
endpoint = http://127.0.0.1:1
region = eu-west-1
access_key_id = AK
secret_access_key = ********
path_style = true
"
expect_rc 0 "$TARN" store config get minio secret_access_key --show-secrets
expect_out "s3cr3t=/+
"
expect_rc 0 "$TARN" store config get minio region
expect_out "eu-west-1
"
# changing one key keeps the others; KEY= clears a key
expect_rc 0 "$TARN" store config set minio region=us-east-2 path_style=
expect_rc 0 "$TARN" store config get minio
expect_out "type = s3
endpoint = http://127.0.0.1:1
region = us-east-2
access_key_id = AK
secret_access_key = ********
"
ls -a "$tmp/conf/tarn" | grep -q tmp && fail "temporary files left behind: $(ls -a "$tmp/conf/tarn")"

# refused with a one-line reason, and the file is left as it was
cp "$TARN_CONFIG" before.ini
expect_rc 1 "$TARN" store config set minio regoin=x
expect_in err "unknown key 'regoin' for profile type s3" "region"
expect_rc 1 "$TARN" store config set s3 type=s3
expect_in err "built-in URL scheme"
expect_rc 1 "$TARN" store config set My_Store type=s3
expect_in err "profile name 'My_Store'"
expect_rc 1 "$TARN" store config set fresh endpoint=http://x
expect_in err "set its type first"
expect_rc 1 "$TARN" store config set fresh type=ftp
expect_in err "unknown type 'ftp'"
expect_rc 1 "$TARN" store config set minio path_style=maybe
expect_in err "path_style=maybe: expected true or false"
expect_rc 1 "$TARN" store config set minio endpoint=localhost:9000
expect_in err "expected a URL"
expect_rc 1 "$TARN" store config set minio noequals
expect_in err "'noequals': expected KEY=VALUE"
expect_rc 2 "$TARN" store config set minio
expect_rc 2 "$TARN" store config frob
expect_in err "unknown 'store config' action 'frob'"
cmp -s before.ini "$TARN_CONFIG" || fail "a refused change altered the file"
expect_rc 1 "$TARN" store config get nosuch
expect_in err "no profile 'nosuch' in $TARN_CONFIG"
expect_rc 1 "$TARN" store config get minio nokey
expect_in err "profile 'minio' has no key 'nokey'"

# a profile's name is a URL scheme; its endpoint is the one contacted
# (nothing listens on port 1), whatever the environment says
expect_rc 1 env AWS_ENDPOINT_URL=http://127.0.0.1:2 "$TARN" store ls minio://bucket/
expect_in err "minio://bucket/" "127.0.0.1:1"
expect_rc 1 "$TARN" store head nosuch://bucket/x
expect_in err "unsupported URL scheme 'nosuch'" "$TARN_CONFIG"

# removing keys, then profiles
expect_rc 0 "$TARN" store config rm minio access_key_id secret_access_key
expect_rc 0 "$TARN" store config get minio
expect_out "type = s3
endpoint = http://127.0.0.1:1
region = us-east-2
"
expect_rc 1 "$TARN" store config rm minio access_key_id
expect_in err "has no key 'access_key_id'"
expect_rc 0 "$TARN" store config rm lake
expect_rc 0 "$TARN" store config list
expect_out "minio                s3
"
[ "$(stat -c %a "$TARN_CONFIG")" = 600 ] || fail "rewriting changed the mode"

# a broken file is an error naming its line and column
printf '[minio]\ntype = s3\n  what\n' >"$TARN_CONFIG"
expect_rc 1 "$TARN" store config list
expect_in err "stores.ini:3:3: expected 'key = value'"
expect_rc 1 "$TARN" store ls minio://bucket/
expect_in err "stores.ini:3:3"

finish
