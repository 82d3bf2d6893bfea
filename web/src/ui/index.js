// The only module pages import UI from: Polaris React stays behind these components so a move to Polaris
// web components touches web/src/ui/ alone.
export { AppShell, NavMenu } from './Provider.jsx';
export { useToast } from './toast.jsx';
export { Page, Section, Columns, Stack, Split, Inset } from './layout.jsx';
export { Heading, Text, Metric, Link } from './text.jsx';
export { Button, Buttons, Fields, TextField, Select, Checkbox, CodeField, FileInput } from './form.jsx';
export { ErrorBanner, Notice, Spinner, LoadingCards, Empty, Badge, Progress } from './feedback.jsx';
export { Table, More, LineErrors } from './Table.jsx';
export { Tabs } from './Tabs.jsx';
export { SaveBar } from './SaveBar.jsx';
export { LineChart, BarChart, BarList } from './Charts.jsx';
