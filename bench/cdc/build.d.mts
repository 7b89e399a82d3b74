export declare const ROOT: string;
/** Emit the publishing path into outDir; returns outDir/src/liberation. */
export declare function buildPublisher(outDir: string, extra?: string[]): string;
