import type { Sweep } from '../types';

/** Every symbol together ('all') or one of them: what the results table and the heatmap show (see SymbolSelect). */
export const ALL_SYMBOLS = 'all';

interface FoldSelectProps {
  sweep: Sweep;
  value: number | undefined;
  onChange: (fold: number | undefined) => void;
  testId: string;
}

/** A walk-forward sweep's rows are in-sample rows of one fold each: all folds, or one. Nothing without walk-forward. */
export function FoldSelect({ sweep, value, onChange, testId }: FoldSelectProps) {
  if (!sweep.walk_forward) return null;
  return (
    <label>
      Fold{' '}
      <select
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value === '' ? undefined : Number(event.target.value))}
        data-testid={testId}
      >
        <option value="">all folds (in sample)</option>
        {Array.from({ length: sweep.walk_forward.folds }, (_, fold) => (
          <option key={fold} value={fold}>
            fold {fold} (in sample)
          </option>
        ))}
      </select>
    </label>
  );
}
