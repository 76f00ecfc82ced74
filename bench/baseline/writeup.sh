#!/usr/bin/env bash
# The baseline: the write-up's steps for one environment as a user would script them with the AWS CLI, doing
# what site.yml does for dev (role with trust and a least-privilege inline policy; private bucket with the four
# Block Public Access flags, ACLs disabled, encryption, a TLS-only policy and tags; the upload; the lockdown
# check; the app from its repository; the branch with its variables; the app's default compute role and the
# branch's override; a release, waited for). No idempotence, no checks beyond the write-up's own.
# Needs: AWS (the aws command), AWS_ENDPOINT_URL and credentials in the environment; IMAGE (the file to upload).
set -euo pipefail
aws() { "${AWS:-aws}" --endpoint-url "$AWS_ENDPOINT_URL" --output text "$@"; }

APP=cli-compute-role-demo
ENV=dev
ROLE=$APP-$ENV-compute
BUCKET=$APP-$ENV-private
TAGS_IAM="Key=managed-by,Value=cli Key=environment,Value=$ENV"
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
# AWS CLI v1 would otherwise fetch --repository's https:// URL and send the page as the parameter.
printf '[default]\ncli_follow_urlparam = false\n' > "$workdir/config"
export AWS_CONFIG_FILE="$workdir/config"

cat > "$workdir/trust.json" <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "amplify.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat > "$workdir/read.json" <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::$BUCKET/*"}]}
JSON
cat > "$workdir/tls.json" <<JSON
{"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
 "Resource": ["arn:aws:s3:::$BUCKET", "arn:aws:s3:::$BUCKET/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
JSON

# IAM role (create role, custom trust policy, permissions)
ROLE_ARN=$(aws iam create-role --role-name "$ROLE" --assume-role-policy-document "file://$workdir/trust.json" \
  --tags $TAGS_IAM --query Role.Arn)
aws iam put-role-policy --role-name "$ROLE" --policy-name "$ROLE-grants" --policy-document "file://$workdir/read.json"

# Private bucket (ACLs disabled, Block all public access), encryption, TLS-only, tags
aws s3api create-bucket --bucket "$BUCKET" --object-ownership BucketOwnerEnforced > /dev/null
aws s3api put-public-access-block --bucket "$BUCKET" --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
aws s3api put-bucket-encryption --bucket "$BUCKET" --server-side-encryption-configuration \
  '{"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}'
aws s3api put-bucket-policy --bucket "$BUCKET" --policy "file://$workdir/tls.json"
aws s3api put-bucket-tagging --bucket "$BUCKET" --tagging "TagSet=[{Key=managed-by,Value=cli},{Key=environment,Value=$ENV}]"

# Upload, then the write-up's lockdown check
aws s3 cp "$IMAGE" "s3://$BUCKET/amplify-logo.png" --sse AES256 --only-show-errors
aws s3api get-public-access-block --bucket "$BUCKET" > /dev/null

# Amplify app from its repository, the branch, App settings > IAM roles, the branch override
APP_ID=$(aws amplify create-app --name "$APP" --platform WEB_COMPUTE \
  --repository https://github.com/example/nextjs-compute-role-demo --access-token dummy-token \
  --tags managed-by=cli --query app.appId)
aws amplify create-branch --app-id "$APP_ID" --branch-name "$ENV" --stage DEVELOPMENT --framework "Next.js - SSR" \
  --environment-variables "BUCKET_NAME=$BUCKET,OBJECT_KEY=amplify-logo.png" --tags "managed-by=cli,environment=$ENV" > /dev/null
aws amplify update-app --app-id "$APP_ID" --compute-role-arn "$ROLE_ARN" > /dev/null
aws amplify update-branch --app-id "$APP_ID" --branch-name "$ENV" --compute-role-arn "$ROLE_ARN" > /dev/null

# Deploy and wait
JOB_ID=$(aws amplify start-job --app-id "$APP_ID" --branch-name "$ENV" --job-type RELEASE --commit-id cli-commit \
  --query jobSummary.jobId)
while :; do
  STATUS=$(aws amplify get-job --app-id "$APP_ID" --branch-name "$ENV" --job-id "$JOB_ID" --query job.summary.status)
  case "$STATUS" in
    SUCCEED) break ;;
    FAILED|CANCELLED) echo "job $JOB_ID $STATUS" >&2; exit 1 ;;
  esac
  sleep 0.5
done
echo "app $APP_ID branch $ENV role $ROLE_ARN job $JOB_ID $STATUS"
