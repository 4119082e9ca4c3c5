interface SymbolSelectProps {
  symbols: string[];
  value: string;
  onChange: (symbol: string) => void;
  testId: string;
  /** An option before the symbols, e.g. every symbol together: its value and label. */
  allOption?: { value: string; label: string };
}

/** "Symbol [BTC_KRW ▾]": which symbol a table or a chart shows. */
export function SymbolSelect({ symbols, value, onChange, testId, allOption }: SymbolSelectProps) {
  return (
    <label>
      Symbol{' '}
      <select value={value} onChange={(event) => onChange(event.target.value)} data-testid={testId}>
        {allOption && <option value={allOption.value}>{allOption.label}</option>}
        {symbols.map((symbol) => (
          <option key={symbol} value={symbol}>
            {symbol}
          </option>
        ))}
      </select>
    </label>
  );
}
