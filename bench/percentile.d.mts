export declare function percentile(sorted: ArrayLike<number>, p: number): number
export declare function percentileMs(sorted: ArrayLike<number>, p: number): number
