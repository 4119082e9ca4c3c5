/**
 * Credentials for the tests' S3 server: moto takes any key pair. Set in the environment so that the SDK's
 * credential chain stops there (and never asks an instance-metadata address); child processes get them too.
 */
export const testAwsEnvironment = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

Object.assign(process.env, testAwsEnvironment);
