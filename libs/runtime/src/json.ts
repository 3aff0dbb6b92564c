/** A value that survives JSON.stringify/parse unchanged: everything stored in Redis is Json. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
