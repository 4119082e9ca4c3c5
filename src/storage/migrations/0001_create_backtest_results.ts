/** The `backtest_results` table exactly as seeds/result-storage-schema.ko.md 1.1 defines it. */
export const createBacktestResults = `
CREATE TABLE backtest_results (
    task_id UUID PRIMARY KEY,
    strategy VARCHAR(100) NOT NULL,
    symbols JSONB NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    timeframe VARCHAR(10),
    status VARCHAR(20) NOT NULL,

    parquet_path VARCHAR(500) NOT NULL UNIQUE,
    file_size BIGINT,
    record_count INTEGER,

    metadata JSONB DEFAULT '{}',

    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT status_valid CHECK (status IN ('completed', 'failed', 'running')),
    CONSTRAINT date_order CHECK (start_date <= end_date)
);

CREATE INDEX idx_backtest_results_created_at ON backtest_results(created_at DESC);
CREATE INDEX idx_backtest_results_strategy ON backtest_results(strategy);
CREATE INDEX idx_backtest_results_status ON backtest_results(status);
CREATE INDEX idx_backtest_results_symbols ON backtest_results USING GIN (symbols);
CREATE INDEX idx_backtest_results_task_id ON backtest_results(task_id);

CREATE OR REPLACE FUNCTION update_backtest_results_timestamp()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER backtest_results_update_timestamp
BEFORE UPDATE ON backtest_results
FOR EACH ROW
EXECUTE FUNCTION update_backtest_results_timestamp();
`;
