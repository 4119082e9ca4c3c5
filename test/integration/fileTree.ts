import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `root` by relative path, each described by `describe` (a checksum, a size and mtime). */
export function describeFilesUnder(root: string, describe: (path: string) => string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(root, path)] = describe(path);
    }
  };
  walk(root);
  return files;
}
