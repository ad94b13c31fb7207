#!/bin/sh
# azd postprovision hook: what provisioning leaves to the deployer. Every step is idempotent, so
# `azd provision` can run any number of times; run it alone with `azd hooks run postprovision`.
#
#   1. The reviewer link-signing key. Generated here the first time (openssl rand -base64 32) and
#      written straight to Key Vault from a private temporary file: it never passes through a
#      template, a deployment's history, azd's environment or a command line. A later provision
#      leaves it alone (rotation: docs/deploy.md).
#   2. The Teams webhook secret, when TEAMS_WEBHOOK_ENABLED is true: checked, never set here.
#   3. The policy: uploaded from $POLICY_FILE (a path the team chooses) after `portcullis policy
#      check`; without POLICY_FILE, a warning if no policy was ever uploaded.
#
# Values come from azd's environment (the outputs of infra/main.bicep).
set -eu

fail() {
  echo "postprovision: $*" >&2
  exit 1
}

for name in AZURE_RESOURCE_GROUP AZURE_FUNCTION_NAME AZURE_KEY_VAULT_NAME LINK_SIGNING_KEY_SECRET_NAME \
  TEAMS_WEBHOOK_SECRET_NAME AZURE_STORAGE_ACCOUNT_NAME POLICY_CONTAINER_NAME POLICY_BLOB_NAME AZURE_FUNCTION_HOSTNAME; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set; run this through azd (azd provision, azd up, azd hooks run postprovision)"
done
command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is required; sign in with az login"
command -v openssl >/dev/null 2>&1 || fail "openssl is required to generate the link-signing key"
command -v curl >/dev/null 2>&1 || fail "curl is required to check App Service Authentication"

# Role assignments made by this provision can take a few minutes to reach the data plane.
retry() {
  what=$1
  shift
  attempt=1
  until "$@"; do
    [ "$attempt" -lt 18 ] || fail "$what kept failing; check the deploying identity's roles (docs/deploy.md)"
    echo "postprovision: $what was refused (role assignments may still be propagating); retrying in 10 s" >&2
    attempt=$((attempt + 1))
    sleep 10
  done
}

# Sets $secret_state to present or absent; fails (so retry tries again) when Key Vault refuses.
secret_state=
read_secret_state() {
  if out=$(az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" --name "$1" --query id -o tsv 2>&1); then
    secret_state=present
    return 0
  fi
  case "$out" in
    *SecretNotFound*)
      secret_state=absent
      return 0
      ;;
  esac
  return 1
}

is_true() {
  case "$1" in
    true | True | TRUE) return 0 ;;
    *) return 1 ;;
  esac
}

# 1. Link-signing key.
retry "reading secret $LINK_SIGNING_KEY_SECRET_NAME" read_secret_state "$LINK_SIGNING_KEY_SECRET_NAME"
if [ "$secret_state" = present ]; then
  echo "postprovision: link-signing key present in $AZURE_KEY_VAULT_NAME (left as is)"
else
  key_file=$(umask 077 && mktemp)
  trap 'rm -f "$key_file"' EXIT INT TERM
  openssl rand -base64 32 | tr -d '\n' >"$key_file"
  # -o none: `secret set` would otherwise print the secret, value included.
  retry "writing secret $LINK_SIGNING_KEY_SECRET_NAME" \
    az keyvault secret set --vault-name "$AZURE_KEY_VAULT_NAME" --name "$LINK_SIGNING_KEY_SECRET_NAME" \
    --file "$key_file" --encoding utf-8 --content-type "base64, 32 random bytes" --only-show-errors -o none
  rm -f "$key_file"
  echo "postprovision: link-signing key generated and stored in $AZURE_KEY_VAULT_NAME"
  # The app's Key Vault reference was first resolved before the secret existed; any configuration
  # change makes App Service fetch every reference again, so rewrite one setting to its own value.
  az functionapp config appsettings set --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_NAME" \
    --settings PORTCULLIS_ENV=production --only-show-errors -o none
fi

# 2. Teams webhook.
if is_true "${TEAMS_WEBHOOK_ENABLED:-false}"; then
  retry "reading secret $TEAMS_WEBHOOK_SECRET_NAME" read_secret_state "$TEAMS_WEBHOOK_SECRET_NAME"
  [ "$secret_state" = present ] || fail "TEAMS_WEBHOOK_ENABLED is true but $AZURE_KEY_VAULT_NAME has no secret $TEAMS_WEBHOOK_SECRET_NAME: the app would refuse to start. Store the webhook URL (docs/deploy.md) and run azd provision again."
  echo "postprovision: Teams webhook secret present"
fi

# 3. Policy.
blob_args="--auth-mode login --account-name $AZURE_STORAGE_ACCOUNT_NAME --container-name $POLICY_CONTAINER_NAME --name $POLICY_BLOB_NAME"
if [ -n "${POLICY_FILE:-}" ]; then
  [ -f "$POLICY_FILE" ] || fail "POLICY_FILE=$POLICY_FILE is not a file"
  if [ -d node_modules ]; then
    node bin/portcullis.mjs policy check "$POLICY_FILE" --env production ||
      fail "$POLICY_FILE has the problems listed above; the policy was not uploaded"
  else
    echo "postprovision: node_modules missing (run npm ci): $POLICY_FILE not checked here; the gateway still refuses an invalid policy" >&2
  fi
  # shellcheck disable=SC2086 # blob_args holds several arguments on purpose
  retry "uploading the policy" az storage blob upload $blob_args --file "$POLICY_FILE" --overwrite --only-show-errors -o none
  echo "postprovision: policy $POLICY_FILE uploaded to $POLICY_CONTAINER_NAME/$POLICY_BLOB_NAME; the gateway picks it up within its refresh interval"
else
  exists=
  read_policy_exists() {
    # shellcheck disable=SC2086
    exists=$(az storage blob exists $blob_args --query exists -o tsv --only-show-errors 2>/dev/null)
  }
  retry "checking for the policy blob" read_policy_exists
  if [ "$exists" != true ]; then
    echo "postprovision: no policy uploaded yet. Until one is, the gateway answers every request with 503 policy-unavailable." >&2
    echo "postprovision: azd env set POLICY_FILE path/to/policy.yaml && azd hooks run postprovision" >&2
  fi
fi

# 4. App Service Authentication really guards the review pages: a forged client principal (what
# only the platform may set) must be refused before the app sees it, on the plain path, an
# upper-case variant and an encoded-dot variant. 401 or a redirect to sign-in is the platform's
# refusal; anything else means the app answered, so the forged header got through.
forged=$(printf '{"auth_typ":"aad","claims":[{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"forged"},{"typ":"groups","val":"reviewers"}]}' | base64 | tr -d '\n')
for path in /api/review/x /API/REVIEW/x /api/%2e/review/x; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "x-ms-client-principal: $forged" -H 'x-ms-client-principal-idp: aad' "https://$AZURE_FUNCTION_HOSTNAME$path" || true)
  case "$code" in
    401|302) echo "postprovision: $path with a forged principal: $code (refused by App Service Authentication)" ;;
    000) echo "postprovision: $path could not be reached to check App Service Authentication (the app may still be starting); run azd hooks run postprovision again" >&2 ;;
    *) fail "$path with a forged x-ms-client-principal answered $code: App Service Authentication does not guard the review pages" ;;
  esac
done
