/** The registration's numbered steps (docs/elements.md#flows): progress.css. */
import progressStyles from './progress.css.ts';

export { progressStyles };
