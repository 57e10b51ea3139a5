// Component tests for the widget, in Debian's Chromium (CHROME_PATH, default /usr/bin/chromium). Never downloads a browser.
// *.real-bff.test.ts run against the real BFF, which realBffPlugin starts beside the test server.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
import { tsImport } from 'tsx/esm/api';
import { countReporter } from './widget/test/count-reporter.mjs';
import { realBffPlugin } from './widget/test/real-bff-plugin.mjs';

// The widget's templates are written indented and bundled flush-left (widget/build.ts); the tests
// get the sources through the same transform, before esbuild strips the types, so they render
// exactly what the bundle ships. tsx loads the TypeScript module (Node 20 cannot).
const { stripTemplateIndent } = await tsImport('./widget/template-indent.ts', import.meta.url);
const templateIndentPlugin = {
  name: 'jd-template-indent',
  transform(context) {
    if (/^\/widget\/src\/.*\.ts$/.test(context.path)) return { body: stripTemplateIndent(context.body) };
  },
};

export default {
  files: ['widget/test/**/*.test.ts'],
  nodeResolve: true,
  reporters: [defaultReporter(), countReporter(process.env.JD_WTR_COUNTS)],
  concurrency: 1,
  // Tests import the source, where Lit's dev build is expected; its banner is noise.
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    templateIndentPlugin,
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    realBffPlugin(),
  ],
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
