export default function SessionsPage() {
  return (
    <section>
      <h1 className="text-lg font-semibold" data-testid="sessions-title">Sessions</h1>
    </section>
  );
}
