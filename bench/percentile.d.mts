export declare function percentileMs(sorted: ArrayLike<number>, p: number): number
