/**
 * How the error of an evaluation thread whose strategy differs from the one the activity checked begins: the pool
 * fails such work for good (src/threads/evaluationPool.ts). Its own module, so the pool need not load the thread's code.
 */
export const STRATEGY_MISMATCH_ON_THREAD = 'strategy differs on the evaluation thread: ';
