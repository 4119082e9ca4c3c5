/** A horizontal bar filled to `fraction`; its colour follows the state (running, completed, failed, ...). */
export function ProgressBar({ fraction, state }: { fraction: number; state: string }) {
  return (
    <div
      className={`progress-bar state-${state}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(fraction * 100)}
    >
      <div className="progress-fill" style={{ width: `${Math.min(1, Math.max(0, fraction)) * 100}%` }} />
    </div>
  );
}
