import { useState, type MouseEvent } from 'react';
import { downloadFile, errorMessage, fileUrl } from '../api';
import { formatBytes } from '../format';
import type { ResultFile } from '../types';

const MANIFEST_NAME = 'manifest.json';

/** Links to the task's result files and its manifest; fetched with the bearer token when one is set. */
export function ResultDownloads({ taskId, files }: { taskId: string; files: ResultFile[] }) {
  const [error, setError] = useState<string>();
  const download = (name: string) => (event: MouseEvent) => {
    event.preventDefault();
    setError(undefined);
    downloadFile(taskId, name).catch((failure: unknown) => setError(errorMessage(failure)));
  };
  const listed = files.map((file) => ({ name: file.name, size: formatBytes(file.size_bytes) }));
  const entries = listed.some((entry) => entry.name === MANIFEST_NAME) ? listed : [...listed, { name: MANIFEST_NAME, size: '' }];
  return (
    <section className="result-section">
      <h3>Files</h3>
      {error && <div className="form-error">{error}</div>}
      <ul className="downloads" data-testid="result-files">
        {entries.map((entry) => (
          <li key={entry.name}>
            <a href={fileUrl(taskId, entry.name)} download={entry.name} onClick={download(entry.name)}>
              {entry.name}
            </a>
            {entry.size && <span className="hint"> {entry.size}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
