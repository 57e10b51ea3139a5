// Component tests for the widget, in Debian's Chromium (CHROME_PATH, default /usr/bin/chromium). Never downloads a browser.
// *.real-bff.test.ts run against the real BFF, which realBffPlugin starts beside the test server.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
import { countReporter } from './widget/test/count-reporter.mjs';
import { realBffPlugin } from './widget/test/real-bff-plugin.mjs';

export default {
  files: ['widget/test/**/*.test.ts'],
  nodeResolve: true,
  reporters: [defaultReporter(), countReporter(process.env.JD_WTR_COUNTS)],
  concurrency: 1,
  // Tests import the source, where Lit's dev build is expected; its banner is noise.
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
  testFramework: { config: { timeout: 10000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }), realBffPlugin()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--headless=new',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
};
