// One benchmark section run by itself (`tsx bench/fleet.ts`): its result as JSON on stdout, then
// exit, since sockets and pools a section leaves open would keep the process alive.
export function runAlone(section: () => Promise<unknown>): void {
  section().then(
    (result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
