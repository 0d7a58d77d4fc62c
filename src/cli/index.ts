/** cli: the `tollgate` command, one file per subcommand; `main` runs it with the given arguments. */
export { main } from "./main.ts";
