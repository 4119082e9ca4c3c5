/** The checksum manifests record for every file (MD5, as seeds/manifest-schema.ko.md specifies). */
import { createHash } from 'node:crypto';

export function md5(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}
