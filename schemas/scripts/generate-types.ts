import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GENERATED_DIR, generateTypes } from './avro-codegen.js';

// Regenerates schemas/src/generated from schemas/avro. Run after editing an .avsc file:
//   npm run generate -w @cs/schemas
const files = await generateTypes();
await mkdir(GENERATED_DIR, { recursive: true });
// A schema that was removed must not leave its generated file behind.
for (const stale of (await readdir(GENERATED_DIR)).filter((file) => !files.has(file))) {
  await rm(path.join(GENERATED_DIR, stale));
}
for (const [file, content] of files) {
  await writeFile(path.join(GENERATED_DIR, file), content);
}
process.stdout.write(
  `generated ${files.size} files in ${path.relative(process.cwd(), GENERATED_DIR)}\n`,
);
