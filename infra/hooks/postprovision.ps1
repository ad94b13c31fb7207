# azd postprovision hook (Windows): the same steps as postprovision.sh, which documents them.
#   1. link-signing key: generated once, written straight to Key Vault, never rotated by provisioning
#   2. Teams webhook secret: checked when TEAMS_WEBHOOK_ENABLED is true, never set here
#   3. policy: uploaded from $env:POLICY_FILE after `portcullis policy check`
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Fail([string]$Message) {
  Write-Error "postprovision: $Message"
  exit 1
}

foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_NAME', 'AZURE_KEY_VAULT_NAME', 'LINK_SIGNING_KEY_SECRET_NAME',
  'TEAMS_WEBHOOK_SECRET_NAME', 'AZURE_STORAGE_ACCOUNT_NAME', 'POLICY_CONTAINER_NAME', 'POLICY_BLOB_NAME', 'AZURE_FUNCTION_HOSTNAME') {
  if (-not [Environment]::GetEnvironmentVariable($name)) {
    Fail "$name is not set; run this through azd (azd provision, azd up, azd hooks run postprovision)"
  }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) { Fail 'the Azure CLI (az) is required; sign in with az login' }

# Role assignments made by this provision can take a few minutes to reach the data plane.
# $Action returns a value when it succeeded and $null when it was refused.
function Retry([string]$What, [scriptblock]$Action) {
  for ($attempt = 1; ; $attempt++) {
    $result = & $Action
    if ($null -ne $result) { return $result }
    if ($attempt -ge 18) { Fail "$What kept failing; check the deploying identity's roles (docs/deploy.md)" }
    Write-Warning "postprovision: $What was refused (role assignments may still be propagating); retrying in 10 s"
    Start-Sleep -Seconds 10
  }
}

# 'present', 'absent', or $null when Key Vault refuses.
function Get-SecretState([string]$Name) {
  $out = az keyvault secret show --vault-name $env:AZURE_KEY_VAULT_NAME --name $Name --query id -o tsv 2>&1
  if ($LASTEXITCODE -eq 0) { return 'present' }
  if ("$out" -match 'SecretNotFound') { return 'absent' }
  return $null
}

# 1. Link-signing key.
$state = Retry "reading secret $env:LINK_SIGNING_KEY_SECRET_NAME" { Get-SecretState $env:LINK_SIGNING_KEY_SECRET_NAME }
if ($state -eq 'present') {
  Write-Host "postprovision: link-signing key present in $env:AZURE_KEY_VAULT_NAME (left as is)"
} else {
  $bytes = [byte[]]::new(32)
  [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
  $keyFile = [System.IO.Path]::GetTempFileName()
  try {
    [System.IO.File]::WriteAllText($keyFile, [Convert]::ToBase64String($bytes))
    # -o none: `secret set` would otherwise print the secret, value included.
    Retry "writing secret $env:LINK_SIGNING_KEY_SECRET_NAME" {
      az keyvault secret set --vault-name $env:AZURE_KEY_VAULT_NAME --name $env:LINK_SIGNING_KEY_SECRET_NAME `
        --file $keyFile --encoding utf-8 --content-type 'base64, 32 random bytes' --only-show-errors -o none
      if ($LASTEXITCODE -eq 0) { 'stored' } else { $null }
    } | Out-Null
  } finally {
    Remove-Item -Force $keyFile -ErrorAction SilentlyContinue
  }
  Write-Host "postprovision: link-signing key generated and stored in $env:AZURE_KEY_VAULT_NAME"
  # Any configuration change makes App Service fetch every Key Vault reference again.
  az functionapp config appsettings set --resource-group $env:AZURE_RESOURCE_GROUP --name $env:AZURE_FUNCTION_NAME `
    --settings PORTCULLIS_ENV=production --only-show-errors -o none
  if ($LASTEXITCODE -ne 0) { Fail 'could not refresh the app settings' }
}

# 2. Teams webhook.
if ("$env:TEAMS_WEBHOOK_ENABLED" -ieq 'true') {
  $state = Retry "reading secret $env:TEAMS_WEBHOOK_SECRET_NAME" { Get-SecretState $env:TEAMS_WEBHOOK_SECRET_NAME }
  if ($state -ne 'present') {
    Fail "TEAMS_WEBHOOK_ENABLED is true but $env:AZURE_KEY_VAULT_NAME has no secret $env:TEAMS_WEBHOOK_SECRET_NAME: the app would refuse to start. Store the webhook URL (docs/deploy.md) and run azd provision again."
  }
  Write-Host 'postprovision: Teams webhook secret present'
}

# 3. Policy.
$blobArgs = @('--auth-mode', 'login', '--account-name', $env:AZURE_STORAGE_ACCOUNT_NAME,
  '--container-name', $env:POLICY_CONTAINER_NAME, '--name', $env:POLICY_BLOB_NAME)
if ($env:POLICY_FILE) {
  if (-not (Test-Path -PathType Leaf $env:POLICY_FILE)) { Fail "POLICY_FILE=$env:POLICY_FILE is not a file" }
  if (Test-Path -PathType Container 'node_modules') {
    node bin/portcullis.mjs policy check $env:POLICY_FILE --env production
    if ($LASTEXITCODE -ne 0) { Fail "$env:POLICY_FILE has the problems listed above; the policy was not uploaded" }
  } else {
    Write-Warning "postprovision: node_modules missing (run npm ci): $env:POLICY_FILE not checked here; the gateway still refuses an invalid policy"
  }
  Retry 'uploading the policy' {
    az storage blob upload @blobArgs --file $env:POLICY_FILE --overwrite --only-show-errors -o none
    if ($LASTEXITCODE -eq 0) { 'uploaded' } else { $null }
  } | Out-Null
  Write-Host "postprovision: policy $env:POLICY_FILE uploaded to $env:POLICY_CONTAINER_NAME/$env:POLICY_BLOB_NAME"
} else {
  $exists = Retry 'checking for the policy blob' {
    $out = az storage blob exists @blobArgs --query exists -o tsv --only-show-errors 2>$null
    if ($LASTEXITCODE -eq 0) { "$out".Trim() } else { $null }
  }
  if ($exists -ne 'true') {
    Write-Warning 'postprovision: no policy uploaded yet. Until one is, the gateway answers every request with 503 policy-unavailable.'
    Write-Warning 'postprovision: azd env set POLICY_FILE path/to/policy.yaml; azd hooks run postprovision'
  }
}

# 4. App Service Authentication really guards the review pages: a forged client principal must be
# refused by the platform (401 or a redirect to sign-in) on the plain, upper-case and encoded-dot paths.
$forged = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('{"auth_typ":"aad","claims":[{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"forged"},{"typ":"groups","val":"reviewers"}]}'))
# curl.exe (pwsh has no curl alias); Windows has no /dev/null, its null device is NUL.
$nullDevice = if ($IsWindows) { 'NUL' } else { '/dev/null' }
foreach ($path in '/api/review/x', '/API/REVIEW/x', '/api/%2e/review/x') {
  $code = curl -s -o $nullDevice -w '%{http_code}' --max-time 30 -H "x-ms-client-principal: $forged" -H 'x-ms-client-principal-idp: aad' "https://$($env:AZURE_FUNCTION_HOSTNAME)$path"
  if ($code -eq '401' -or $code -eq '302') { Write-Host "postprovision: $path with a forged principal: $code (refused by App Service Authentication)" }
  elseif ($code -eq '000' -or -not $code) { Write-Warning "postprovision: $path could not be reached to check App Service Authentication; run azd hooks run postprovision again" }
  else { Fail "$path with a forged x-ms-client-principal answered ${code}: App Service Authentication does not guard the review pages" }
}
