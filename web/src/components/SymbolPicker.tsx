import { useState } from 'react';
import type { MarketSymbol } from '../types';

interface SymbolPickerProps {
  catalog: MarketSymbol[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
}

/** Checkboxes for every symbol, narrowed by a filter box; "all shown" and "none" for long lists. */
export function SymbolPicker({ catalog, chosen, onChange }: SymbolPickerProps) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toUpperCase();
  const shown = catalog.filter((entry) => entry.symbol.includes(needle));
  const toggle = (symbol: string, checked: boolean) =>
    onChange(checked ? [...chosen, symbol] : chosen.filter((existing) => existing !== symbol));
  const chooseShown = () => onChange([...new Set([...chosen, ...shown.map((entry) => entry.symbol)])]);

  return (
    <div className="symbol-picker" data-testid="symbol-picker">
      <div className="symbol-picker-tools">
        <input
          type="search"
          placeholder="Filter symbols"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          data-testid="symbol-filter"
        />
        <button type="button" onClick={chooseShown}>
          All shown
        </button>
        <button type="button" onClick={() => onChange([])}>
          None
        </button>
      </div>
      <div className="symbol-list">
        {shown.map((entry) => (
          <label key={entry.symbol} className="checkbox-label" title={entry.timeframes.map((range) => range.timeframe).join(' ')}>
            <input
              type="checkbox"
              value={entry.symbol}
              checked={chosen.includes(entry.symbol)}
              onChange={(event) => toggle(entry.symbol, event.target.checked)}
            />
            {entry.symbol}
          </label>
        ))}
        {shown.length === 0 && <span className="hint">No symbol matches.</span>}
      </div>
      <div className="hint">
        {chosen.length} of {catalog.length} chosen
      </div>
    </div>
  );
}
