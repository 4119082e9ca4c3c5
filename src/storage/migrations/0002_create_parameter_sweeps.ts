/** The `parameter_sweeps` table of DESIGN.md section 12: one row per sweep. */
export const createParameterSweeps = `
CREATE TABLE parameter_sweeps (
    sweep_id UUID PRIMARY KEY,
    status VARCHAR(20) NOT NULL,
    strategy VARCHAR(100) NOT NULL,
    symbols TEXT[] NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    timeframe VARCHAR(10) NOT NULL,
    grid JSONB NOT NULL,
    objective JSONB NOT NULL,
    combinations INTEGER NOT NULL,
    evaluations BIGINT NOT NULL,
    best JSONB,
    result_path VARCHAR(500),
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at TIMESTAMP WITH TIME ZONE,
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT parameter_sweeps_status_valid CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT parameter_sweeps_date_order CHECK (start_date <= end_date)
);

CREATE INDEX idx_parameter_sweeps_status_created_at ON parameter_sweeps(status, created_at DESC);
CREATE INDEX idx_parameter_sweeps_created_at ON parameter_sweeps(created_at DESC);
CREATE INDEX idx_parameter_sweeps_strategy ON parameter_sweeps(strategy);
CREATE INDEX idx_parameter_sweeps_symbols ON parameter_sweeps USING GIN (symbols);

CREATE OR REPLACE FUNCTION update_parameter_sweeps_timestamp()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER parameter_sweeps_update_timestamp
BEFORE UPDATE ON parameter_sweeps
FOR EACH ROW
EXECUTE FUNCTION update_parameter_sweeps_timestamp();
`;
