#!/usr/bin/env node
import { createPlatformApp } from '../lib/platform-app';

// `npx cdk synth` (dev) or `npx cdk deploy -c stage=prod`; the CLI synthesizes the app when this exits.
createPlatformApp();
