import * as esbuild from 'esbuild';
const entry = process.argv[2]; const platform = process.argv[3] ?? 'node';
const r = await esbuild.build({ entryPoints:[entry], bundle:true, minify:true, write:false, metafile:true, platform, external:['vscode'], define:{PLUMBLINE_VERSION:'"x"'} });
const by = {};
for (const [f, info] of Object.entries(Object.values(r.metafile.outputs)[0].inputs)) { const k = f.replace(/^node_modules\/((@[^/]+\/)?[^/]+).*/, '$1'); by[k]=(by[k]??0)+info.bytesInOutput; }
console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,12));
